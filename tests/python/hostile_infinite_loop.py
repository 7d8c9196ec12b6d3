# Hostile: a script that never ends; the sandbox stops it at its time limit as it stops a component.
print('start')
n = 0
while True:
    n += 1
