// Each endpoint names what it answers, so the OpenAPI document has a schema for every response (the endpoints
// return IResult, which says nothing). Short alias: the attribute sits on every endpoint.
global using Responds = Microsoft.AspNetCore.Mvc.ProducesResponseTypeAttribute;
// A request field the validators require though its type admits null (a reason, a group's name): marked so the OpenAPI
// document lists it as required; the validator still decides.
global using Required = System.ComponentModel.DataAnnotations.RequiredAttribute;
