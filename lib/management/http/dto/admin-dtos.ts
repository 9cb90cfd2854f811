/*
 * The management API's DTO classes: class-validator checks requests with them, and hookspec's schema layer
 * documents requests and responses from them, so the document never drifts from what is checked.
 *
 * They are declared inside functions, on first use, rather than at the top of their modules: class-
 * transformer's `@Type` and hookspec's `@WebhookProperty` need reflect-metadata when they run, and `hookspec`
 * and its framework entries load these modules but must stay importable without it (a receiver that only
 * verifies signatures never needs it). Creating a router or building the document declares them.
 */
import { declareEndpointDtos } from './endpoint.dto';
import { declareEventTypeDtos } from './event-type.dto';
import { declareMessageDtos } from './message.dto';
import { declareProblemDtos } from './problem.dto';

function declareAdminDtos() {
  return { ...declareEndpointDtos(), ...declareMessageDtos(), ...declareEventTypeDtos(), ...declareProblemDtos() };
}

/** Every DTO class by name. */
export type AdminDtos = ReturnType<typeof declareAdminDtos>;
/** The name of a DTO class, as the route table refers to it. */
export type AdminDtoName = keyof AdminDtos;
/** An instance of a DTO class: the shape of that body on the wire. */
export type AdminDto<N extends AdminDtoName> = InstanceType<AdminDtos[N]>;

let declared: AdminDtos | undefined;

/** The DTO classes, declared on the first call. */
export function adminDtos(): AdminDtos {
  declared ??= declareAdminDtos();
  return declared;
}
