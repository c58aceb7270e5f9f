import IBPlane
print(IBPlaneVersion.string)
