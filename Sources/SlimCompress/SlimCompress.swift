// SlimCompress module.
