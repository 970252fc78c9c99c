// SlimQuant module.
