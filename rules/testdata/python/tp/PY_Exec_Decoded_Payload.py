import base64
exec(base64.b64decode('cHJpbnQoImluZXJ0IHRlc3QgZml4dHVyZSIp'))
