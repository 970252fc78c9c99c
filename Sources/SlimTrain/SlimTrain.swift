// SlimTrain module.
