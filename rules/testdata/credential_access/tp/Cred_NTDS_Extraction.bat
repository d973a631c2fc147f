ntdsutil "ac i ntds" "ifm" "create full C:\Windows\Temp\ifm" q q
