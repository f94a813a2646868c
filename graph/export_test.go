package graph

// EncodeResponse exposes encodeResponse to the external tests.
var EncodeResponse = encodeResponse
