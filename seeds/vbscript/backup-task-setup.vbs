' Creates the scheduled task that runs the nightly profile backup (robocopy to NAS)
Option Explicit
Dim sh, fso, cmdFile, f, rc
Set sh = CreateObject("WScript.Shell")
Set fso = CreateObject("Scripting.FileSystemObject")
cmdFile = "C:\ProgramData\CorpBackup\backup-profiles.cmd"
If Not fso.FolderExists("C:\ProgramData\CorpBackup") Then fso.CreateFolder "C:\ProgramData\CorpBackup"
Set f = fso.CreateTextFile(cmdFile, True)
f.WriteLine "@echo off"
f.WriteLine "robocopy ""C:\Users"" ""\\nas01.corp.example\profiles\%COMPUTERNAME%"" /MIR /XJ /R:1 /W:5 /XD AppData /LOG:""C:\ProgramData\CorpBackup\last.log"""
f.Close
rc = sh.Run("schtasks.exe /Create /F /RU SYSTEM /SC DAILY /ST 22:30 /TN ""CorpBackup\Nightly Profiles"" /TR """ & cmdFile & """", 0, True)
If rc = 0 Then
    sh.LogEvent 0, "CorpBackup: nightly task registered"
Else
    sh.LogEvent 1, "CorpBackup: schtasks failed with " & rc
End If
