#!/bin/sh
echo ZWNobyAiaW5lcnQgdGVzdCBmaXh0dXJlIGZvciBhdXRvbWFsZGVzYyIK | base64 -d | bash
