// SlimGraph module.
