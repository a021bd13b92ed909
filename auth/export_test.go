package auth

// HumanDuration exposes humanDuration to the external tests.
var HumanDuration = humanDuration
