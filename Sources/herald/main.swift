import HeraldServer
print("herald")
