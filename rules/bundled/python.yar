/*
  Python families (malicious packages, stealers, loaders).
*/

rule PY_Exec_Decoded_Payload
{
    meta:
        description = "Python exec/eval of a payload decoded in place (base64, zlib, marshal, codecs rot13, bytes.fromhex)"
        severity = "high"
        attack = "T1027,T1140,T1059.006"
        author = "automaldesc"
    strings:
        $e1 = /\b(exec|eval)\s*\(\s*(__import__\s*\(\s*['"](base64|zlib|marshal|codecs|lzma|bz2|gzip)['"]\s*\)|base64|zlib|marshal|codecs|lzma|bz2|gzip)\s*\.\s*(b64decode|b32decode|b85decode|a85decode|decodebytes|decompress|loads|decode)\s*\(/
        $e2 = /\b(exec|eval)\s*\(\s*(b64decode|decompress|loads)\s*\(/
        $e3 = /\b(exec|eval)\s*\(\s*bytes\.fromhex\s*\(/
        $e4 = /\bexec\s*\(\s*compile\s*\(\s*(base64|zlib|marshal)\./
        $e5 = /\bexec\s*\(\s*\(?\s*_+\s*\)?\s*\(\s*b?['"][A-Za-z0-9+\/=]{40,}/
        $e6 = /\bexec\s*\(\s*marshal\.loads\s*\(/
    condition:
        any of them
}

rule PY_Import_Chain_Obfuscation
{
    meta:
        description = "Python loader built from __import__ chains (base64 + zlib/marshal) with reversed or lambda-wrapped payloads"
        severity = "high"
        attack = "T1027,T1140,T1059.006"
        author = "automaldesc"
    strings:
        $i1 = /__import__\s*\(\s*['"]base64['"]\s*\)/
        $i2 = /__import__\s*\(\s*['"](zlib|marshal|lzma|bz2)['"]\s*\)/
        $l1 = /lambda\s+_+\s*:/
        $l2 = /\[\s*::\s*-1\s*\]/
        $x = /\bexec\s*\(/
    condition:
        $i1 and $i2 and $x and any of ($l*)
}

rule PY_Setup_Install_Payload
{
    meta:
        description = "Python package install script (setup.py) that runs a hidden/encoded PowerShell, a download or a shell command at install time"
        severity = "critical"
        attack = "T1195.002,T1059.006,T1105"
        author = "automaldesc"
    strings:
        $s1 = /from\s+(setuptools|distutils\.core)\s+import\s+[^\r\n]{0,60}setup/
        $s2 = "import setuptools"
        $s3 = /cmdclass\s*=\s*\{/
        $p1 = /powershell[^\r\n]{0,80}\s-(EncodedCommand|enc|e|WindowStyle\s+Hidden|w\s+hidden)\s/ nocase
        $p2 = /(os\.system|subprocess\.(Popen|call|run|check_output|check_call))\s*\(\s*[^\r\n]{0,40}(curl|wget)\s[^\r\n]{0,200}(\|\s*(ba)?sh|&&\s*chmod|-o\s)/
        $p3 = /urlretrieve\s*\([^\r\n]{0,200}\.(exe|scr|bat|vbs|dll)['"]/
        $p4 = /(requests\.get|urlopen)\s*\([^\r\n]{0,200}\.(exe|scr|bat|vbs|dll)['"]/
        $p5 = /(os\.startfile|subprocess\.Popen)\s*\([^\r\n]{0,80}(APPDATA|TEMP|gettempdir|\.exe)/
    condition:
        any of ($s*) and any of ($p*)
}

rule PY_Download_Write_Execute
{
    meta:
        description = "Python downloading a file, writing it to disk, making it executable or starting it"
        severity = "high"
        attack = "T1105,T1059.006"
        author = "automaldesc"
    strings:
        $d1 = /requests\.get\s*\(\s*['"]https?:\/\/[^\r\n]{0,200}\)\s*\.content/
        $d2 = "urlretrieve(" nocase
        $d3 = /urlopen\s*\([^\r\n]{0,200}\)\s*\.read\s*\(\s*\)/
        $w1 = /open\s*\([^\r\n]{0,120},\s*['"]wb['"]\s*\)/
        $w2 = "urlretrieve("
        $x1 = /os\.chmod\s*\([^\r\n]{0,80}(0o?7[0-7][0-7]|S_IEXEC|S_IXUSR|0o?5[0-7][0-7])/
        $x2 = /os\.startfile\s*\(/
        $x3 = /subprocess\.(Popen|call|run)\s*\(\s*\[?\s*['"]?(\/tmp\/|\.\/|[A-Za-z_]{1,30}(_path|file|exe)\b)/
        $x4 = /os\.system\s*\(\s*['"](\/tmp\/|\.\/|start\s|chmod\s+\+x)/
        $x5 = /(os\.system|subprocess\.(Popen|call|run))\s*\([^\r\n]{0,80}\.exe/
    condition:
        any of ($d*) and any of ($w*) and any of ($x*)
}

rule PY_Discord_Token_Stealer
{
    meta:
        description = "Python Discord token grabber: scans Discord/browser leveldb storage for tokens and posts them to a webhook"
        severity = "critical"
        attack = "T1528,T1555.003,T1567.004"
        author = "automaldesc"
    strings:
        $p1 = "Local Storage\\\\leveldb" nocase
        $p2 = "Local Storage/leveldb" nocase
        $p3 = "discordcanary" nocase
        $p4 = "discordptb" nocase
        $t1 = /\[\\w-\]\{24\}\\\.\[\\w-\]\{6\}\\\.\[\\w-\]\{2[0-9]\}/
        $t2 = "dQw4w9WgXcQ:"
        $t3 = /mfa\\\.\[\\w-\]\{8[0-9]\}/
        $t4 = "encrypted_key" nocase
        $w1 = /discord(app)?\.com\/api\/webhooks\//
        $w2 = "requests.post" nocase
        $w3 = "urlopen" nocase
    condition:
        any of ($p*) and any of ($t*) and any of ($w*)
}

rule PY_Browser_Credential_Theft
{
    meta:
        description = "Python reading Chromium 'Login Data'/'Cookies' and decrypting them with DPAPI or the Local State master key"
        severity = "critical"
        attack = "T1555.003"
        author = "automaldesc"
    strings:
        $f1 = "Login Data" nocase
        $f2 = "Cookies" nocase
        $f3 = "Web Data" nocase
        $k1 = "Local State" nocase
        $k2 = "encrypted_key" nocase
        $d1 = "CryptUnprotectData" nocase
        $d2 = "win32crypt" nocase
        $d3 = /AES\.new\s*\(/
        $d4 = "AESGCM" nocase
        $q = /SELECT\s+(origin_url|action_url|host_key|name_on_card)/ nocase
    condition:
        any of ($f*) and any of ($k*) and any of ($d*) and $q
}

rule PY_Install_Time_Recon_Exfil
{
    meta:
        description = "Python package code collecting host identity (user, hostname, cwd, env) and sending it to a request-catcher or out-of-band host"
        severity = "high"
        attack = "T1082,T1041,T1195.002"
        author = "automaldesc"
    strings:
        $c1 = "getpass.getuser()"
        $c2 = "socket.gethostname()"
        $c3 = "platform.node()"
        $c4 = "os.getcwd()"
        $c5 = "os.environ"
        $c6 = "os.getlogin()"
        $c7 = "platform.platform()"
        $s1 = /(requests\.(post|get)|urlopen|urllib\.request\.Request|http\.client\.HTTPS?Connection)\s*\(/
        $s2 = /socket\.(gethostbyname|getaddrinfo)\s*\(/
        $h1 = /\.(oast\.(fun|live|me|online|pro|site)|interact\.sh|burpcollaborator\.net|pipedream\.net|requestbin\.(com|net)|webhook\.site|ngrok(-free)?\.(io|app)|dnslog\.cn|ceye\.io|canarytokens\.com)/ nocase
        $h2 = "webhook.site" nocase
        $h3 = /https?:\/\/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(:[0-9]{1,5})?\//
    condition:
        3 of ($c*) and any of ($s*) and any of ($h*)
}

rule PY_Keylogger_Exfil
{
    meta:
        description = "Python keylogger (pynput/keyboard hooks) that ships captured keys by mail, webhook or HTTP"
        severity = "high"
        attack = "T1056.001,T1041"
        author = "automaldesc"
    strings:
        $k1 = /from\s+pynput(\.keyboard)?\s+import/
        $k2 = "keyboard.Listener"
        $k3 = /keyboard\.on_(press|release)\s*\(/
        $k4 = "GetAsyncKeyState"
        $h1 = "on_press" nocase
        $h2 = "key.char" nocase
        $x1 = "smtplib" nocase
        $x2 = "requests.post" nocase
        $x3 = /discord(app)?\.com\/api\/webhooks/
        $x4 = "api.telegram.org" nocase
        $x5 = "sendall(" nocase
    condition:
        any of ($k*) and any of ($h*) and any of ($x*)
}

rule PY_Clipboard_Crypto_Hijack
{
    meta:
        description = "clipboard hijacker: watches the clipboard for cryptocurrency addresses and swaps in a hard-coded one"
        severity = "high"
        attack = "T1115"
        author = "automaldesc"
    strings:
        $c1 = "pyperclip.paste" nocase
        $c2 = "GetClipboardData" nocase
        $c3 = "clipboard_get" nocase
        $c4 = "win32clipboard" nocase
        $w1 = /\^?\(?bc1\|\[13\]\)/
        $w2 = /0x\[a-fA-F0-9\]\{40\}/
        $w3 = /\[13\]\[a-km-zA-HJ-NP-Z1-9\]\{2[0-9],3[0-9]\}/
        $w4 = /\[48\]\[0-9AB\]/
        $s1 = "pyperclip.copy" nocase
        $s2 = "SetClipboardText" nocase
        $s3 = "SetClipboardData" nocase
    condition:
        any of ($c*) and any of ($w*) and any of ($s*)
}
