# Launches the maintenance job in a clean child process. The child command is
# passed with -EncodedCommand so that paths with quotes survive Task Scheduler.
$child = @'
Get-ChildItem 'C:\ProgramData\Fabrikam\Cache' -File | Where-Object LastWriteTime -lt (Get-Date).AddDays(-3) | Remove-Item -Force
Optimize-Volume -DriveLetter C -ReTrim -Verbose
'@
$enc = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($child))
$p = Start-Process -FilePath "$PSHOME\powershell.exe" -ArgumentList "-NoProfile -NonInteractive -EncodedCommand $enc" -Wait -PassThru -NoNewWindow
exit $p.ExitCode
