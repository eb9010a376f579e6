// The negative control: wrongly typed uses of the generated clients. tsc must refuse each line
// marked `// expect-error TSnnnn <text>` with that code and a message containing <text>, and
// nothing else. The generated files are `// @ts-nocheck`, so a setup that lost the types
// (an unresolved import, a missing lib, ESM resolution) would turn them into `any` silently and
// pass src/client.ts without checking it; these errors prove the types are real.
import { createClient, type PersonCreateInput, type PersonUpdateInput } from '../generated/core';
import { createClient as createMetadataClient } from '../generated/metadata';

const core = createClient({ url: 'http://127.0.0.1:3000/graphql' });
const metadata = createMetadataClient({ url: 'http://127.0.0.1:3000/metadata' });
const id = '20202020-0000-4000-8000-000000000001';

// Create inputs: a composite is an object, fields are known, scalars have their types.
export const plainName: PersonCreateInput = {
  name: 'Ada Lovelace', // expect-error TS2559 type 'FullNameCreateInput'
};
export const unknownField: PersonCreateInput = {
  nickname: 'Ada', // expect-error TS2353 'nickname' does not exist in type 'PersonCreateInput'
};
export const numberForText: PersonCreateInput = {
  jobTitle: 42, // expect-error TS2322 Type 'number' is not assignable to type 'string'
};
export const numberInComposite: PersonCreateInput = {
  name: { firstName: 42 }, // expect-error TS2322 Type 'number' is not assignable to type 'string'
};
export const connectWithoutWhere: PersonCreateInput = {
  company: { connect: { id } }, // expect-error TS2353 'id' does not exist in type 'CompanyConnectInput'
};
export const updateUnknownSubfield: PersonUpdateInput = {
  name: { first: 'Ada' }, // expect-error TS2353 'first' does not exist in type 'FullNameUpdateInput'
};

// Arguments: filters name real fields and comparators; required arguments are required.
void core.query({
  people: {
    __args: { filter: { nickname: { eq: 'Ada' } } }, // expect-error TS2353 'nickname' does not exist in type 'PersonFilterInput'
    totalCount: true,
  },
});
void core.query({
  people: {
    __args: { filter: { name: { firstName: { equals: 'Ada' } } } }, // expect-error TS2353 'equals' does not exist
    totalCount: true,
  },
});
void core.mutation({
  updatePerson: { __args: { data: { jobTitle: 'x' } }, id: true }, // expect-error TS2741 Property 'id' is missing
});
void core.query({
  person: { id: true }, // expect-error TS2322 Property '__args' is missing
});
void metadata.query({
  objects: {
    __args: { paging: { first: '1000' } }, // expect-error TS2322 Type 'string' is not assignable to type 'number'
    totalCount: true,
  },
});

// Selections and results: unknown fields are refused, results carry only what was selected,
// and a UUID is a string.
void core.query({
  people: { edges: { node: { notAField: true } } }, // expect-error TS2353 'notAField' does not exist
});
export async function unselected(): Promise<unknown> {
  const result = await core.query({ people: { edges: { node: { id: true } } } });
  return result.people?.edges[0]?.node.city; // expect-error TS2339 Property 'city' does not exist
}
export async function uuidIsString(): Promise<number> {
  const result = await core.mutation({ createPerson: { __args: { data: {} }, id: true } });
  const personId: number = result.createPerson!.id; // expect-error TS2322 Type 'string' is not assignable to type 'number'
  return personId;
}

// The client options keep their DOM types (`lib: dom`): headers cannot be a number.
createClient({ headers: 5 }); // expect-error TS2322 'number' is not assignable
