package api_test

// The provincial platform's rows of the authorization matrix (api/matrix_test.go): no zone
// role reads the platform; province users are tested in platform_test.go.

func init() { matrixRows = append(matrixRows, platformMatrixRows...) }

var platformMatrixRows = []matrixRow{
	{Route: "GET /api/v1/platform/zones", In: mxAll(e403)},
	{Route: "GET /api/v1/platform/overview", In: mxAll(e403)},
	{Route: "GET /api/v1/platform/chains", In: mxAll(e403)},
}
