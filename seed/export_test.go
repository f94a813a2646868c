package seed

import "gopkg.in/yaml.v3"

// DeepLine and DeepNode let the external tests check the two depth checks
// apart: the byte scan before parsing and the walk of the parsed tree.
var DeepLine = deepLine

func DeepNode(root *yaml.Node, max int) *yaml.Node { return deepNode(root, 0, max) }
