// SlimConfig module.
