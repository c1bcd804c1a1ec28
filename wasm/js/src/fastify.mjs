import nfehookPlugin from './fastify.cjs';

export { nfehookPlugin };
export default nfehookPlugin;
