# Hostile: a script that asks for far more memory than its limit, all at once or bit by bit
# (sys.argv[1] says how); the sandbox stops it as it stops a component.
import sys

how = sys.argv[1]
print('start', how)
if how == 'bytearray':
    hog = bytearray(1 << 30)
elif how == 'list':
    hog = [0] * (1 << 28)
else:
    hog = []
    while True:
        hog.append(bytearray(1 << 20))
print('never printed', len(hog))
