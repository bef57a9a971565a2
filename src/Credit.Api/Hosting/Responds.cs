// Each endpoint names what it answers, so the OpenAPI document has a schema for every response (the endpoints
// return IResult, which says nothing). Short alias: the attribute sits on every endpoint.
global using Responds = Microsoft.AspNetCore.Mvc.ProducesResponseTypeAttribute;
