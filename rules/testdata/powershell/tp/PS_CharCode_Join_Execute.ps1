$c = [char]87+[char]114+[char]105+[char]116+[char]101+[char]45+[char]79+[char]117+[char]116+[char]112+[char]117+[char]116+[char]32+[char]39+[char]105+[char]110+[char]101+[char]114+[char]116+[char]32+[char]116+[char]101+[char]115+[char]116+[char]32+[char]102+[char]105+[char]120+[char]116+[char]117+[char]114+[char]101+[char]32+[char]116+[char]101+[char]120+[char]116+[char]39
Invoke-Expression $c
