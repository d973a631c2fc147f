/*
  Cryptocurrency mining (resource hijacking) across languages.
*/

rule Miner_Stratum_Pool_URL
{
    meta:
        description = "stratum mining-pool URL (stratum+tcp/ssl) handed to a miner"
        severity = "high"
        attack = "T1496"
        author = "automaldesc"
    strings:
        $s = /stratum(2)?\+(tcp|ssl|tls):\/\/[A-Za-z0-9.-]{3,100}(:[0-9]{2,5})?/ nocase
    condition:
        $s
}

rule Miner_XMRig_Config_Or_Args
{
    meta:
        description = "XMRig-family miner configuration or command line: pool with user/wallet and donate level, huge pages, RandomX"
        severity = "high"
        attack = "T1496"
        author = "automaldesc"
    strings:
        $d1 = "donate-level" nocase
        $d2 = "\"donate-over-proxy\"" nocase
        $p1 = /"pools"\s*:\s*\[/
        $p2 = /\s(-o|--url)\s+[A-Za-z0-9.-]{3,100}:[0-9]{2,5}\s/
        $u1 = /\s(-u|--user)\s+[A-Za-z0-9]{30,}/
        $u2 = /"user"\s*:\s*"[A-Za-z0-9._+-]{20,}"/
        $m1 = "xmrig" nocase
        $m2 = "randomx" nocase
        $m3 = "huge-pages" nocase
        $m4 = "cryptonight" nocase
        $m5 = "\"rx/0\"" nocase
        $m6 = "nicehash" nocase
    condition:
        (any of ($p*) or any of ($u*)) and ((any of ($d*) and any of ($m*)) or ($p1 and 2 of ($m*)))
}

rule Miner_Known_Pool_Host
{
    meta:
        description = "mining-pool host names of public Monero/crypto pools next to a miner launch or config"
        severity = "high"
        attack = "T1496"
        author = "automaldesc"
    strings:
        $h1 = "supportxmr.com" nocase
        $h2 = "nanopool.org" nocase
        $h3 = "minexmr.com" nocase
        $h4 = "moneroocean.stream" nocase
        $h5 = "hashvault.pro" nocase
        $h6 = "c3pool.com" nocase
        $h7 = "herominers.com" nocase
        $h8 = "xmrpool.eu" nocase
        $h9 = "2miners.com" nocase
        $h10 = "f2pool.com" nocase
        $h11 = "unmineable.com" nocase
        $h12 = "nicehash.com" nocase
        $h13 = "dwarfpool.com" nocase
        $h14 = "minergate.com" nocase
        $ctx1 = /\s(-o|--url)\s/
        $ctx2 = "\"url\"" nocase
        $ctx3 = "pool" nocase
        $ctx4 = /(-u|--user|\"user\")/
    condition:
        any of ($h*) and 2 of ($ctx*)
}

rule Miner_Competitor_Killer
{
    meta:
        description = "kills competing miners and botnets by name (kinsing, kdevtmpfsi, xmrig, ...) before installing its own"
        severity = "high"
        attack = "T1496,T1489"
        author = "automaldesc"
    strings:
        $k1 = /(pkill|killall|kill\s+-9)[^\r\n]{0,80}/
        $k2 = /ps\s+aux[^\r\n]{0,40}\|\s*grep/
        $k3 = "taskkill" nocase
        $k4 = "Stop-Process" nocase
        $n1 = "kdevtmpfsi" nocase
        $n2 = "kinsing" nocase
        $n3 = "xmrig" nocase
        $n4 = "minerd" nocase
        $n5 = "cryptonight" nocase
        $n6 = "xmr-stak" nocase
        $n7 = "kworkerds" nocase
        $n8 = "sustes" nocase
        $n9 = "ddgs" nocase
        $n10 = "dbused" nocase
        $n11 = "sysupdate" nocase
        $n12 = "networkservice" nocase
        $n13 = "zzh" nocase
        $n14 = "kerberods" nocase
    condition:
        any of ($k*) and 4 of ($n*)
}

rule Miner_Browser_Cryptojacking
{
    meta:
        description = "in-browser cryptojacking script (CoinHive, CryptoLoot, deepMiner, WebMinePool and clones)"
        severity = "high"
        attack = "T1496"
        author = "automaldesc"
    strings:
        $c1 = /CoinHive\.(Anonymous|User|Token)\s*\(/
        $c2 = "coinhive.min.js" nocase
        $c3 = /CRLT\.Anonymous\s*\(/
        $c4 = "deepMiner.Anonymous" nocase
        $c5 = "webminepool.com" nocase
        $c6 = "coin-hive.com" nocase
        $c7 = "authedmine.com" nocase
        $c8 = /new\s+Client\.Anonymous\s*\(\s*['"][a-f0-9]{40,64}['"]/
        $c9 = "cryptoloot.pro" nocase
        $s = ".start(" nocase
    condition:
        any of ($c*) and $s
}

rule Miner_Monero_Wallet_Launch
{
    meta:
        description = "hard-coded Monero wallet address passed as a miner login next to a pool address"
        severity = "high"
        attack = "T1496"
        author = "automaldesc"
    strings:
        $w1 = /--user[= ]\s*["']?4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/
        $w2 = /\s-u\s+["']?4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/
        $w3 = /"user"\s*:\s*"4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/
        $w4 = /wallet\s*[=:]\s*["']?4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/ nocase
        $p1 = /[A-Za-z0-9.-]{3,80}:(3333|4444|5555|7777|9999|10128|10001|14444|443|80|1111|8080|3032|20128)\b/
        $p2 = "pool" nocase
    condition:
        any of ($w*) and any of ($p*)
}
