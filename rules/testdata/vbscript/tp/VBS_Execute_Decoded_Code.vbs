Dim c
c = StrReverse(")""erutxif tseT""(ohcE.tpircSW")
Execute StrReverse(c)
