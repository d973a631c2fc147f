/*
  Bash / POSIX sh families (Linux droppers, botnet loaders, cryptojacking kits).
*/

rule SH_Download_From_IP_Pipe_Shell
{
    meta:
        description = "curl/wget fetching a script from a bare IP address and piping it into a shell"
        severity = "high"
        attack = "T1105,T1059.004"
        author = "automaldesc"
    strings:
        $p1 = /(curl|wget)\s[^\r\n|;]{0,80}https?:\/\/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{1,5})?\/[^\r\n|;]{0,120}\|\s*(sudo\s+)?(ba|da|z)?sh\b/ nocase
        $p2 = /(ba|da)?sh\s+(-c\s+)?["']?\$\((curl|wget)\s[^\r\n)]{0,80}https?:\/\/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/ nocase
        $p3 = /(curl|wget)\s[^\r\n|;]{0,80}[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{1,5})?\/[^\r\n|;]{0,120}\|\s*(sudo\s+)?(ba|da|z)?sh\b/ nocase
    condition:
        any of them
}

rule SH_Dropper_Tmp_Chmod_Exec
{
    meta:
        description = "downloads a binary into /tmp, /var/tmp or /dev/shm, makes it executable and runs it in the background"
        severity = "high"
        attack = "T1105,T1059.004,T1222.002"
        author = "automaldesc"
    strings:
        $dl1 = /(wget|curl)\s[^\r\n]{0,200}(https?|ftp):\/\// nocase
        $dl2 = /\b(tftp|ftpget)\s[^\r\n]{0,80}[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/ nocase
        $dir1 = /cd\s+\/(tmp|var\/tmp|dev\/shm|var\/run|mnt|root)\b/
        $dir2 = /\/(tmp|var\/tmp|dev\/shm)\/\.?[A-Za-z0-9_.-]{1,32}/
        $ch = /chmod\s+(-R\s+)?(\+x|a\+x|u\+x|0?7[0-7][0-7])\s/
        $ex1 = /nohup\s+(\.\/|\/(tmp|var\/tmp|dev\/shm)\/)/
        $ex2 = /\.\/[A-Za-z0-9_.-]{1,32}\s[^\r\n]{0,60}(>\s*\/dev\/null|&\s*$|&\s*\r?\n)/
        $ex3 = /(\/tmp|\/var\/tmp|\/dev\/shm)\/\.?[A-Za-z0-9_.-]{1,32}\s*(&|>\s*\/dev\/null)/
        $ex4 = /setsid\s+(\.\/|\/(tmp|var\/tmp|dev\/shm)\/)/
    condition:
        any of ($dl*) and any of ($dir*) and $ch and any of ($ex*)
}

rule SH_Multi_Arch_Botnet_Loader
{
    meta:
        description = "IoT botnet loader: downloads and runs one build per CPU architecture (Mirai/Gafgyt style)"
        severity = "critical"
        attack = "T1105,T1059.004"
        author = "automaldesc"
    strings:
        $dl = /(wget|curl|tftp|ftpget)\s/ nocase
        $a1 = /[\/.]mips\b/ nocase
        $a2 = /[\/.]mpsl\b/ nocase
        $a3 = /[\/.]arm7\b/ nocase
        $a4 = /[\/.]arm5\b/ nocase
        $a5 = /[\/.]ppc\b/ nocase
        $a6 = /[\/.]m68k\b/ nocase
        $a7 = /[\/.]sh4\b/ nocase
        $a8 = /[\/.]x86(_64)?\b/ nocase
        $a9 = /[\/.]spc\b/ nocase
        $a10 = /[\/.]i686\b/ nocase
        $a11 = /[\/.]arm6\b/ nocase
        $ch = "chmod" nocase
    condition:
        $dl and $ch and 4 of ($a*)
}

rule SH_Cron_Download_Persistence
{
    meta:
        description = "crontab entry that periodically downloads and runs a remote script"
        severity = "high"
        attack = "T1053.003,T1105"
        author = "automaldesc"
    strings:
        $c1 = /(\*|[0-9]{1,2}|\*\/[0-9]{1,2})\s+\*\s+\*\s+\*\s+\*\s+(root\s+)?[^\r\n]{0,80}(curl|wget)\s[^\r\n]{0,200}\|\s*(ba|da)?sh/ nocase
        $c2 = /(\*|[0-9]{1,2}|\*\/[0-9]{1,2})\s+\*\s+\*\s+\*\s+\*\s+(root\s+)?[^\r\n]{0,80}(curl|wget)\s[^\r\n]{0,200}(-O-|-qO-|-q\s+-O\s*-|-fsSL|-sSL)/ nocase
        $t1 = "crontab" nocase
        $t2 = "/etc/cron" nocase
        $t3 = "/var/spool/cron" nocase
    condition:
        any of ($c*) and any of ($t*)
}

rule SH_SSH_Authorized_Key_Implant
{
    meta:
        description = "appends a hard-coded public key to root's or the user's authorized_keys, often with immutable-flag tampering"
        severity = "high"
        attack = "T1098.004"
        author = "automaldesc"
    strings:
        $k = /echo\s+["']?(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256)\s+AAAA[A-Za-z0-9+\/]{60,}[^\r\n]{0,200}>>?\s*[^\r\n]{0,40}authorized_keys/
        $a1 = "chattr" nocase
        $a2 = "/root/.ssh" nocase
        $a3 = /chmod\s+(600|700|644)\s/
    condition:
        $k and any of ($a*)
}

rule SH_Cloud_Security_Agent_Removal
{
    meta:
        description = "uninstalls or kills cloud host security agents (Aliyun Aegis, Tencent YunJing/QCloud, BCM) before dropping a payload"
        severity = "high"
        attack = "T1562.001"
        author = "automaldesc"
    strings:
        $a1 = "aegis" nocase
        $a2 = "AliYunDun" nocase
        $a3 = "aliyun-service" nocase
        $a4 = "YDService" nocase
        $a5 = "yunjing" nocase
        $a6 = "/usr/local/qcloud" nocase
        $a7 = "bcm-agent" nocase
        $a8 = "cloudmonitor" nocase
        $k1 = "uninstall" nocase
        $k2 = "pkill" nocase
        $k3 = "killall" nocase
        $k4 = "kill -9" nocase
        $k5 = "rm -rf" nocase
        $k6 = "systemctl stop" nocase
    condition:
        3 of ($a*) and 2 of ($k*)
}

rule SH_Log_And_History_Wipe
{
    meta:
        description = "anti-forensics: clears shell history and wipes system logs"
        severity = "medium"
        attack = "T1070.002,T1070.003"
        author = "automaldesc"
    strings:
        $h1 = "history -c" nocase
        $h2 = /unset\s+HISTFILE/
        $h3 = /HISTFILE=\/dev\/null/
        $h4 = /(rm\s+-[rf]+\s+|>\s*|cat\s+\/dev\/null\s*>\s*)~?\/?[^\r\n]{0,20}\.bash_history/
        $h5 = /HISTSIZE=0\b/
        $l1 = /(rm\s+-[rf]+\s+|>\s*|cat\s+\/dev\/null\s*>\s*|echo\s*>\s*)\/var\/log\/(wtmp|btmp|lastlog|secure|auth\.log|syslog|messages)/
        $l2 = /rm\s+-[rf]+\s+\/var\/log\/?\*?\s/
        $l3 = /journalctl\s[^\r\n]{0,40}--vacuum-(time|size)\s*=?\s*(1s|1|1k)/
        $l4 = /(\/var\/log\/[a-z]*)[^\r\n]{0,10}shred\s|shred\s[^\r\n]{0,20}\/var\/log/
    condition:
        any of ($h*) and any of ($l*)
}

rule SH_Security_Controls_Disable
{
    meta:
        description = "turns off several Linux protections at once: SELinux, firewall rules, ufw/firewalld, NMI watchdog"
        severity = "medium"
        attack = "T1562.001,T1562.004"
        author = "automaldesc"
    strings:
        $s1 = /setenforce\s+0/
        $s2 = /SELINUX=disabled/
        $s3 = /ufw\s+disable/
        $s4 = /iptables\s+-F\b/
        $s5 = /systemctl\s+(stop|disable)\s+firewalld/
        $s6 = /nmi_watchdog\s*=\s*0|echo\s+['"]?0['"]?\s*>\s*\/proc\/sys\/kernel\/nmi_watchdog/
        $s7 = /service\s+(iptables|firewalld|apparmor)\s+stop/
        $s8 = /iptables\s+-P\s+INPUT\s+ACCEPT/
    condition:
        3 of them
}

rule SH_LD_Preload_Hijack
{
    meta:
        description = "writes a library path into /etc/ld.so.preload (userland rootkit / process hiding)"
        severity = "critical"
        attack = "T1574.006"
        author = "automaldesc"
    strings:
        $w1 = /(echo|printf)\s[^\r\n]{1,120}\.so['"]?\s*>>?\s*\/etc\/ld\.so\.preload/
        $w2 = /(cp|mv)\s+[^\r\n]{1,120}\s\/etc\/ld\.so\.preload/
        $w3 = /LD_PRELOAD=[^\s\r\n]{1,80}\/(tmp|dev\/shm|var\/tmp|usr\/local\/lib)\/[^\s\r\n]{1,60}\.so/
    condition:
        any of them
}

rule SH_Base64_Decode_Pipe_Shell
{
    meta:
        description = "an embedded base64 blob decoded and piped straight into a shell or eval"
        severity = "high"
        attack = "T1140,T1027,T1059.004"
        author = "automaldesc"
    strings:
        $p1 = /echo\s+-?n?\s*["']?[A-Za-z0-9+\/]{40,}={0,2}["']?\s*\|\s*base64\s+(-d|--decode|-D)\s*\|\s*(sudo\s+)?(ba|da|z)?sh\b/
        $p2 = /eval\s+["']?\$\(\s*(echo|printf)\s+["']?[A-Za-z0-9+\/]{40,}={0,2}["']?\s*\|\s*base64\s+(-d|--decode)/
        $p3 = /(ba)?sh\s+-c\s+["']?\$\(\s*(echo|printf)\s+["']?[A-Za-z0-9+\/]{40,}={0,2}["']?\s*\|\s*base64\s+(-d|--decode)/
        $p4 = /base64\s+(-d|--decode)\s*<<<\s*["']?[A-Za-z0-9+\/]{40,}={0,2}["']?\s*\|\s*(ba|da)?sh\b/
    condition:
        any of them
}

rule SH_Systemd_Service_Persistence
{
    meta:
        description = "creates a systemd unit whose ExecStart runs from a temp or hidden folder or downloads a script"
        severity = "high"
        attack = "T1543.002"
        author = "automaldesc"
    strings:
        $u1 = /\/(etc|lib|usr\/lib)\/systemd\/system\/[A-Za-z0-9_.-]{1,60}\.service/
        $u2 = /\.config\/systemd\/user\/[A-Za-z0-9_.-]{1,60}\.service/
        $e1 = /ExecStart=[^\r\n]{0,40}\/(tmp|dev\/shm|var\/tmp)\//
        $e2 = /ExecStart=[^\r\n]{0,80}(curl|wget)\s[^\r\n]{0,200}\|\s*(ba)?sh/
        $e3 = /ExecStart=[^\r\n]{0,40}\/\.[A-Za-z0-9_-]{1,30}\//
        $en = /systemctl\s+(--user\s+)?(enable|start|daemon-reload)/
    condition:
        any of ($u*) and any of ($e*) and $en
}

rule SH_Immutable_Attribute_Tampering
{
    meta:
        description = "toggles the immutable attribute on persistence files (authorized_keys, crontabs, ld.so.preload, resolv.conf) to lock them in place"
        severity = "medium"
        attack = "T1222.002"
        author = "automaldesc"
    strings:
        $c = /chattr\s+[-+]?[iua]*i[iua]*\s+[^\r\n]{0,60}(authorized_keys|\/etc\/(crontab|cron\.d|ld\.so\.preload|resolv\.conf|hosts|passwd|shadow)|\/var\/spool\/cron)/
        $c2 = /chattr\s+[-+][iuae]*i[iuae]*\s/
    condition:
        $c and #c2 >= 2
}
