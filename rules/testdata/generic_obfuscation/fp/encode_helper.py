"""Encode and decode helper for config blobs."""
import base64
def enc(s):
    return base64.b64encode(s.encode()).decode()
def rev(s):
    return s[::-1]
print(chr(72) + chr(105))
print(eval('2 * 21'))
