package graph

import "github.com/parleyhq/parley"

// errNoFederation answers federation questions on a server built without federation.
var errNoFederation = parley.Errorf(parley.ENOTFOUND, "This server does not federate.")
