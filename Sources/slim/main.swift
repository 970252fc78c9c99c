import SlimCLI

SlimCommand.main()
