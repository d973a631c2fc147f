c = StrReverse("llehsrewop")
CreateObject("WScript.Shell").Run c & " -c exit", 0
