// A script written the way a Twenty user writes one with a genql-generated client, run against
// a live Hookwire server by tests/test_genql_client.py. It must compile under `tsc --strict`
// with the composite inputs typed by the names Twenty's schema (and so Twenty's SDK) uses, and
// it prints one JSON document with what the server answered at each step.
//
// By hand, from tests/genql, with a server on :3000 and an API key in $KEY:
//   npm ci
//   npx genql --endpoint http://127.0.0.1:3000/graphql -H "Authorization: Bearer $KEY" \
//     --output generated/core -S UUID:string -S DateTime:string ...   (the test's SCALARS)
//   npx genql --endpoint http://127.0.0.1:3000/metadata ... --output generated/metadata ...
//   npx tsc -p . && HOOKWIRE_URL=http://127.0.0.1:3000 HOOKWIRE_API_KEY=$KEY node dist/src/client.js
import {
  createClient as createCoreClient,
  type CompanyRelationInput,
  type FullNameCreateInput,
  type FullNameUpdateInput,
  type PersonCreateInput,
  type PersonFilterInput,
  type PersonOrderByInput,
  type PersonUpdateInput,
} from '../generated/core';
import {
  createClient as createMetadataClient,
  type FieldMetadataType,
} from '../generated/metadata';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseUrl = setting('HOOKWIRE_URL');
const headers = { Authorization: `Bearer ${setting('HOOKWIRE_API_KEY')}` };
const core = createCoreClient({ url: `${baseUrl}/graphql`, headers });
const metadata = createMetadataClient({ url: `${baseUrl}/metadata`, headers });

type Name = { firstName: string | null; lastName: string | null } | null;
type Listing = { totalCount: number; ids: string[]; names: Name[] };

function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`${what} came back null`);
  return value;
}

// `people(filter: {name: {firstName: {eq}}})`: the list with a filter on a composite subfield.
async function peopleNamed(firstName: string): Promise<Listing> {
  const filter: PersonFilterInput = { name: { firstName: { eq: firstName } } };
  const orderBy: PersonOrderByInput[] = [{ name: { lastName: 'AscNullsFirst' } }];
  const result = await core.query({
    people: {
      __args: { filter, orderBy, first: 10 },
      edges: { node: { id: true, name: { firstName: true, lastName: true } } },
      totalCount: true,
    },
  });
  const people = present(result.people, 'people');
  const ids: string[] = people.edges.map((edge) => edge.node.id);
  return { totalCount: people.totalCount, ids, names: people.edges.map((edge) => edge.node.name) };
}

async function main(): Promise<void> {
  const createdCompany = await core.mutation({
    createCompany: { __args: { data: { name: 'Analytical Engines' } }, id: true, name: true },
  });
  const company = present(createdCompany.createCompany, 'createCompany');
  const companyId: string = company.id;

  const before = await peopleNamed('Ada');

  // A composite create input, typed by its Twenty name, and the relation by its foreign key.
  const name: FullNameCreateInput = { firstName: 'Ada', lastName: 'Lovelace' };
  const data: PersonCreateInput = {
    name,
    jobTitle: 'Analyst',
    emails: { primaryEmail: 'ada@engines.example' },
    companyId,
  };
  const createdPerson = await core.mutation({
    createPerson: {
      __args: { data },
      id: true,
      name: { firstName: true, lastName: true },
      jobTitle: true,
      emails: { primaryEmail: true },
      companyId: true,
      company: { id: true, name: true },
    },
  });
  const created = present(createdPerson.createPerson, 'createPerson');
  const personId: string = created.id;

  // The same relation through Twenty's relation input: connect by unique `where`.
  const relation: CompanyRelationInput = { connect: { where: { id: companyId } } };
  const connectedPerson = await core.mutation({
    createPerson: {
      __args: { data: { name: { firstName: 'Charles', lastName: 'Babbage' }, company: relation } },
      id: true,
      companyId: true,
      company: { id: true },
    },
  });
  const connected = present(connectedPerson.createPerson, 'createPerson (connect)');

  const afterCreate = await peopleNamed('Ada');

  // A partial composite update: only lastName changes, firstName stays.
  const rename: FullNameUpdateInput = { lastName: 'King' };
  const changes: PersonUpdateInput = { name: rename, jobTitle: 'Countess of Lovelace' };
  const updatedPerson = await core.mutation({
    updatePerson: {
      __args: { id: personId, data: changes },
      id: true,
      name: { firstName: true, lastName: true },
      jobTitle: true,
      companyId: true,
    },
  });
  const updated = present(updatedPerson.updatePerson, 'updatePerson');

  // The other side of the relation: company.people is a connection.
  const companyPeople = await core.query({
    company: {
      __args: { filter: { id: { eq: companyId } } },
      id: true,
      people: { totalCount: true, edges: { node: { id: true } } },
    },
  });
  const people = present(present(companyPeople.company, 'company').people, 'company.people');

  const deletedPerson = await core.mutation({
    deletePerson: { __args: { id: personId }, id: true, deletedAt: true },
  });
  const deleted = present(deletedPerson.deletePerson, 'deletePerson');
  const afterDelete = await peopleNamed('Ada');

  const restoredPerson = await core.mutation({
    restorePerson: {
      __args: { id: personId },
      id: true,
      deletedAt: true,
      name: { firstName: true, lastName: true },
    },
  });
  const restored = present(restoredPerson.restorePerson, 'restorePerson');
  const afterRestore = await peopleNamed('Ada');

  const objects = await metadata.query({
    objects: {
      __args: { paging: { first: 1000 }, filter: { isActive: { is: true } } },
      edges: {
        node: {
          nameSingular: true,
          fields: {
            __args: { paging: { first: 1000 } },
            edges: { node: { name: true, type: true } },
          },
        },
      },
    },
  });
  const fieldTypes: Record<string, Record<string, FieldMetadataType>> = {};
  for (const { node } of objects.objects.edges) {
    fieldTypes[node.nameSingular] = Object.fromEntries(
      node.fields.edges.map((edge) => [edge.node.name, edge.node.type]),
    );
  }

  console.log(
    JSON.stringify({
      company,
      before,
      created,
      connected,
      afterCreate,
      updated,
      companyPeople: {
        totalCount: people.totalCount,
        ids: people.edges.map((edge) => edge.node.id),
      },
      deleted,
      afterDelete,
      restored,
      afterRestore,
      fieldTypes,
    }),
  );
}

main().catch((error: unknown) => {
  // A GenqlError (one class per generated client) carries the response's GraphQL errors.
  if (error instanceof Error && 'errors' in error) {
    console.error('GraphQL errors:', JSON.stringify(error.errors, null, 2));
  }
  console.error(error);
  process.exit(1);
});
